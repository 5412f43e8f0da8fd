"""The analysis engine: pure functions from (html, url) to every link as the browser sees it."""

from server.analysis.engine import analyze
from server.analysis.model import Analysis, Link, Page, Robots, SiteMatch, Summary
from server.analysis.sites import InvalidSite

__all__ = ["Analysis", "InvalidSite", "Link", "Page", "Robots", "SiteMatch", "Summary", "analyze"]
