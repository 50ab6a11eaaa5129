"""The one Searcher the app shares across requests (policykb.search.holder), kept in the app's extensions."""

from __future__ import annotations

from flask import Flask

from policykb.search.holder import SearcherHolder


def init_app(app: Flask) -> None:
    app.extensions["policykb"] = SearcherHolder(app.config["POLICYKB_CONFIG"])
