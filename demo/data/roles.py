"""Which library template each demo job title is built from, and how the demo's roles are
justified and aligned."""

from __future__ import annotations

from .organisation import CEO_TITLE

#: The library template each demo job title is built from.
ROLE_TEMPLATES = {
    CEO_TITLE: "leadership.chief-executive",
    "Head of Sales": "sales.sales-manager",
    "Inside Sales Manager": "sales.sales-manager",
    "Regional Sales Manager": "sales.sales-manager",
    "Sales Executive": "sales.sales-executive",
    "Account Executive": "sales.sales-executive",
    "Business Development Representative": "sales.sales-executive",
    "Inside Sales Representative": "sales.sales-executive",
    "Sales Development Representative": "sales.sales-executive",
    "Field Sales Executive": "sales.sales-executive",
    "Key Account Manager": "sales.key-account-manager",
    "Marketing Manager": "marketing.marketing-manager",
    "Content Marketer": "marketing.content-marketer",
    "Digital Marketing Specialist": "marketing.digital-marketing-specialist",
    "Social Media Specialist": "marketing.digital-marketing-specialist",
    "Marketing Analyst": "marketing.digital-marketing-specialist",
    "Head of HR": "hr.hr-manager",
    "HR Specialist": "hr.hr-specialist",
    "Talent Acquisition Specialist": "hr.talent-acquisition-specialist",
    "Learning and Development Partner": "hr.hr-specialist",
    "IT Manager": "it.it-manager",
    "System Administrator": "it.system-administrator",
    "Security Analyst": "it.system-administrator",
    "IT Support Engineer": "it.it-support-engineer",
    "Software Developer": "software-development.software-developer",
    "Finance Manager": "finance-legal.finance-manager",
    "Accountant": "finance-legal.accountant",
    "Financial Analyst": "finance-legal.accountant",
    "Internal Auditor": "internal-audit.internal-auditor",
    "Payroll Manager": "payroll.payroll-manager",
    "Payroll Specialist": "payroll.payroll-specialist",
    "Head of Customer Support": "customer-service.customer-support-manager",
    "Customer Service Representative": "customer-service.customer-service-representative",
    "Customer Support Specialist": "customer-service.customer-service-representative",
    "Customer Success Manager": "customer-service.customer-success-manager",
    "Operations Manager": "operations.operations-manager",
    "Project Manager": "project-management.project-manager",
    "Business Analyst": "product.business-analyst",
    "Logistics Coordinator": "operations.logistics-coordinator",
    "Procurement Manager": "procurement.procurement-manager",
    "Procurement Specialist": "procurement.procurement-specialist",
    "Vendor Compliance Analyst": "procurement.vendor-compliance-analyst",
}
#: Team leads everywhere are built from the leadership family's team lead.
TEAM_LEAD_TEMPLATE = "leadership.team-lead"
REVENUE_TEMPLATES = ("sales.", "customer-service.customer-success-manager")
COMPLIANCE_TEMPLATES = ("internal-audit.", "payroll.", "procurement.vendor-compliance-analyst")
#: A role the admin's attention list shows: not cost-justified, past its target date.
NOT_YET_JUSTIFIED = "Marketing Analyst"

#: Which objective (index in OBJECTIVES) a KRA theme of the library serves in this demo.
THEME_OBJECTIVE = {
    "growth": 0,
    "operations": 1,
    "finance": 1,
    "compliance": 1,
    "customers": 2,
    "technology": 3,
    "people": 4,
}


def template_key(title: str) -> str:
    """The library template a job title is built from: its own, a team lead's, else a
    department head's."""
    if title in ROLE_TEMPLATES:
        return ROLE_TEMPLATES[title]
    if title.endswith("Team Lead"):
        return TEAM_LEAD_TEMPLATE
    return "leadership.department-head"
