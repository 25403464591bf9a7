"""The demo: a county office's 2021, built through the library's own services."""

from __future__ import annotations

from dangjian.demo.build import AS_OF, YEAR, build_demo

__all__ = ["AS_OF", "YEAR", "build_demo"]
