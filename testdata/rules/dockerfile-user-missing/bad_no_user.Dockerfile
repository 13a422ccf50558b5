FROM python:3.12-slim
COPY app /app
CMD ["python", "/app/main.py"]
