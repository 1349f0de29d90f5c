"""Draft reports from open-source text (being built)."""

from fastapi import APIRouter

router = APIRouter()
