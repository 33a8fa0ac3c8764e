"""What the demo's check-ins (1:1s) say: wins, blockers and actions, taken in turn so that
each person's check-ins read differently from their neighbours'."""

WINS = (
    "Closed the quarter's biggest deal a week early.",
    "The new onboarding checklist cut set-up time in half.",
    "Customer feedback on the last release was the best this year.",
    "Cleared the backlog of open requests.",
    "Ran the team's first retrospective; good ideas came out of it.",
    "Hit the monthly target for the third month running.",
    "The process write-up is now used by the whole department.",
)

BLOCKERS = (
    "",
    "Waiting on legal to approve the contract template.",
    "Two weeks lost to the system migration.",
    "",
    "Not enough time for training with the current workload.",
    "Data from finance arrives late each month.",
)

NOTES = (
    "Talked through priorities for the next few weeks.",
    "Agreed to look at workload again at the next check-in.",
    "",
    "Went over the KPI figures together; the trend is right.",
)

#: Actions, as (what is to be done, owned by the manager?).
ACTIONS = (
    ("Draft the plan for next quarter", False),
    ("Book a session with the finance team", True),
    ("Write up the lessons from the last project", False),
    ("Find a mentor for negotiation skills", True),
    ("Update the pipeline forecast", False),
    ("Ask for budget for the training course", True),
    ("Share the customer survey results with the team", False),
    ("Review the on-call rota", True),
)
