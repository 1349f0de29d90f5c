"""Graph neighbourhood, map features and timelines (being built)."""

from fastapi import APIRouter

router = APIRouter()
