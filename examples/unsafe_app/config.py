class Config:
    DEBUG = True
    SECRET_KEY = "dev"


class ProductionConfig(Config):
    pass
