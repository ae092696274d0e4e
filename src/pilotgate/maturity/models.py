"""Organisational readiness assessments: every one kept, so their history is the table itself."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pilotgate.db.base import Base, UTCDateTime


class MaturityAssessment(Base):
    """The answers given, and the scores computed from them and the data at that moment (a snapshot)."""

    __tablename__ = "maturity_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    taken_by: Mapped[str] = mapped_column(String(320))
    questionnaire: Mapped[str] = mapped_column(String(32))  # the questionnaire's version
    answers: Mapped[str] = mapped_column(Text)  # canonical JSON: question id -> 0..4
    scores: Mapped[str] = mapped_column(Text)  # canonical JSON: scores, level, signals and gaps
