"""Report reader and draft review pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
