"""The analysis engine: pure functions from (html, url) to every link as the browser sees it."""

from server.analysis.engine import FrameDocument, analyze
from server.analysis.model import Analysis, Frame, Link, Page, Robots, RobotsTxt, SiteMatch, Summary
from server.analysis.sites import InvalidSite

__all__ = [
    "Analysis",
    "Frame",
    "FrameDocument",
    "InvalidSite",
    "Link",
    "Page",
    "Robots",
    "RobotsTxt",
    "SiteMatch",
    "Summary",
    "analyze",
]
