FROM nginx:1.27
USER nginx
RUN chown -R nginx /var/cache/nginx
USER root
