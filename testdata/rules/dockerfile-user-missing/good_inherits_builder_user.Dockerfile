FROM node:22 AS base
RUN useradd -u 10001 app
USER app

FROM base
COPY . /srv
CMD ["node", "/srv/index.js"]
