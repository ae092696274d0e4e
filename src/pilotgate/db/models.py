"""Imports every ORM model so that metadata and migrations see all tables."""

from pilotgate.accounts.models import ApiToken, LoginAttempt, PasswordSetup, User, WebSession
from pilotgate.alerts.models import AlertDelivery
from pilotgate.audit.models import AuditEvent, Meta
from pilotgate.change.models import ChangeItem, ChangePlan  # noqa: F401  (change management)
from pilotgate.evidence.models import ConnectorConfigRow, MetricDefinition, MetricPoint, ServiceLevelObjective
from pilotgate.finance.models import BusinessCase, BusinessCaseActual, IndicatorTie  # noqa: F401  (business cases)
from pilotgate.funding.models import BudgetLine, FundingTransition
from pilotgate.gates.models import Artifact, Assessment, Condition, Decision, Review, Vote
from pilotgate.handover.models import Handover, HandoverItem  # noqa: F401  (handover and hypercare)
from pilotgate.jobs.models import JobLease
from pilotgate.maturity.models import MaturityAssessment
from pilotgate.operations.models import OpsIncident, OpsTeam  # noqa: F401  (every AI operations table)
from pilotgate.policy.models import PolicyVersion
from pilotgate.prioritisation.models import Scorecard, ScorecardScore  # noqa: F401  (use case scorecards)
from pilotgate.scale.models import Expansion, ReuseAssessment  # noqa: F401  (scale expansions)
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
