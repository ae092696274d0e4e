"""Imports every ORM model so that metadata and migrations see all tables."""

from pilotgate.accounts.models import ApiToken, LoginAttempt, PasswordSetup, User, WebSession
from pilotgate.alerts.models import AlertDelivery
from pilotgate.audit.models import AuditEvent, Meta
from pilotgate.evidence.models import ConnectorConfigRow, MetricDefinition, MetricPoint, ServiceLevelObjective
from pilotgate.funding.models import BudgetLine, FundingTransition
from pilotgate.gates.models import Artifact, Assessment, Condition, Decision, Review, Vote
from pilotgate.jobs.models import JobLease
from pilotgate.maturity.models import MaturityAssessment
from pilotgate.policy.models import PolicyVersion
from pilotgate.usecases.models import Person, RoleAssignment, StageHistory, UseCase, UseCaseTag

__all__ = [
    "AlertDelivery",
    "ApiToken",
    "Artifact",
    "Assessment",
    "AuditEvent",
    "BudgetLine",
    "Condition",
    "ConnectorConfigRow",
    "Decision",
    "FundingTransition",
    "JobLease",
    "LoginAttempt",
    "MaturityAssessment",
    "Meta",
    "MetricDefinition",
    "MetricPoint",
    "PasswordSetup",
    "Person",
    "PolicyVersion",
    "Review",
    "RoleAssignment",
    "ServiceLevelObjective",
    "StageHistory",
    "UseCase",
    "UseCaseTag",
    "User",
    "Vote",
    "WebSession",
]
import pilotgate.usecases.guard  # noqa: F401  (nothing proceeds without a gate decision)
