"""The Flask app factory: UI and JSON API blueprints over one shared, read-only Searcher."""

from __future__ import annotations

from flask import Flask

from policykb.config import Config


def create_app(test_config: dict | None = None, config: Config | None = None) -> Flask:
    config = config or Config.from_env(**(test_config or {}).get("POLICYKB", {}))
    app = Flask(__name__, instance_path=str(config.data_dir.resolve()), instance_relative_config=True)
    app.config.from_mapping(POLICYKB_CONFIG=config, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update({k: v for k, v in test_config.items() if k != "POLICYKB"})

    from policykb.webapp import api, ui
    from policykb.webapp.state import init_app

    init_app(app)
    app.register_blueprint(ui.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    api.register_error_shape(app)
    return app
