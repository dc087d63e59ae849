FROM node:24-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
ENV NODE_ENV=production
EXPOSE 8000
# TEMPORAL_ADDRESS and DATABASE_URL come from the environment (see docker-compose.yml).
CMD ["npx", "tsx", "bin/arena.ts"]
