import os


class Config:
    DEBUG = False
    TESTING = False


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY")


class DevelopmentConfig(Config):
    DEBUG = True


# A public bind that is not the dev server: gunicorn's bind setting.
GUNICORN_BIND = "0.0.0.0:8000"
