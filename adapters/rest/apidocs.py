"""Swagger UI at /docs and ReDoc at /redoc, with their assets served by us, never a CDN.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, so on a machine without internet (a
centre's intranet, a fresh clone behind a proxy) /docs was a blank page. The assets come from an
installed package (``fastapi-offline`` ships both bundles) and are mounted under ASSETS.
"""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/_apidocs"
# The pages may load only from us: ReDoc's sidebar also shows a badge from its vendor's CDN,
# which the policy stops before a request leaves (inline start-up scripts and ReDoc's
# blob: search worker are allowed).
POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
          "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
          "worker-src 'self' blob:; connect-src 'self'")
DOCS, REDOC, OAUTH2_REDIRECT = "/docs", "/redoc", "/docs/oauth2-redirect"


def _own_assets_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = POLICY
    return page


def install(app: FastAPI) -> None:
    """Call with ``FastAPI(docs_url=None, redoc_url=None)``: these pages replace FastAPI's."""
    folder = resources.files("fastapi_offline") / "static"
    app.mount(ASSETS, StaticFiles(directory=str(folder)), name="apidocs-assets")
    # Plain values, not the app: FastAPI keeps every endpoint function in a process-wide cache,
    # so a page that closed over ``app`` would keep each app (and its container) alive for good.
    title = f"{app.title} — API"
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get(DOCS, include_in_schema=False)
    def swagger() -> HTMLResponse:
        return _own_assets_only(get_swagger_ui_html(
            openapi_url=openapi_url, title=title,
            oauth2_redirect_url=OAUTH2_REDIRECT,
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None}))  # no validator.swagger.io badge

    @app.get(OAUTH2_REDIRECT, include_in_schema=False)
    def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC, include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _own_assets_only(get_redoc_html(
            openapi_url=openapi_url, title=title,
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png", with_google_fonts=False))
