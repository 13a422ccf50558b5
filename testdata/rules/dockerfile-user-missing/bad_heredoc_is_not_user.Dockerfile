# syntax=docker/dockerfile:1
FROM nginx:1.27
COPY <<EOF /etc/nginx/nginx.conf
user nginx;
USER nginx
EOF
RUN <<-SCRIPT
	echo building
	SCRIPT
