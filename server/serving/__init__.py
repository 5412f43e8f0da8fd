"""How gunicorn serves the app: its worker class, the WSGI bridge, and its error log.

gunicorn.conf.py names `server.serving.worker.Worker` and `server.serving.log.PrivateLogger`;
the app itself stays the plain Flask app `server:create_app()`.
"""
