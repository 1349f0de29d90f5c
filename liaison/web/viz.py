"""Graph explorer, map and timeline pages (being built)."""

from fastapi import APIRouter

router = APIRouter()
