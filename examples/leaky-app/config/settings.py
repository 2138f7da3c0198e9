# Settings for the demo shop backend (all credentials here are FAKE, for the leakwatch demo).
DEBUG = False
GITHUB_TOKEN = "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"
DATABASE_URL = "postgres://shop:Vq7xN2pL9sK4mR8t@db.internal.example.com:5432/shop"
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
