"""The Flask app factory: UI and JSON API blueprints over one shared, read-only Searcher."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from policykb.config import Config


def create_app(test_config: dict | None = None, config: Config | None = None) -> Flask:
    """`config` is the policykb Config (default: from the environment); `test_config` overrides Flask settings."""
    config = config or Config.from_env()
    app = Flask(__name__, instance_path=str(config.data_dir.resolve()), instance_relative_config=True)

    from policykb.web import admin, api, auth, briefs, briefs_api, relations_pages, ui
    from policykb.web.error_shape import register_error_shape
    from policykb.web.identity import init_accounts
    from policykb.web.request import init_request
    from policykb.web.security import init_security, secret_key
    from policykb.web.state import init_app
    from policykb.web.upload_sweep import sweep_orphaned_uploads
    from policykb.web.uploads import UploadJobs

    app.config.from_mapping(
        POLICYKB_CONFIG=config,
        SECRET_KEY=secret_key(config.data_dir, config.secret_key),
        MAX_CONTENT_LENGTH=config.max_file_bytes + 64 * 1024,  # the form's other fields fit in the margin
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=config.session_hours),  # a sign-in's session is permanent
    )
    if test_config:
        app.config.update(test_config)
    init_app(app)
    init_request(app)
    init_security(app, csrf_exempt=(api.bp.name, briefs_api.bp.name))  # the admin token, or a JSON-only body, instead
    init_accounts(app)  # after the CSRF check: a form is checked before it can sign anyone in
    sweep_orphaned_uploads(config)  # before any job runs: files left by a server that stopped mid-upload
    app.extensions["policykb_jobs"] = UploadJobs(config)
    app.register_blueprint(ui.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(briefs.bp)
    app.register_blueprint(relations_pages.bp)
    app.register_blueprint(briefs_api.bp, url_prefix="/api/briefs")
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    register_error_shape(app)
    return app
