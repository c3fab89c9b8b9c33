"""The fields that describe a member's circumstances (家庭成员情况: education, health, work,
insurance and assistance), named once in the order every bulk format keeps them: the import
file's columns (`imports.chunks`), the members table's COPY columns (`imports.encoding`) and
the exports (`exports.records`). Plain names, no imports: the import's worker processes load
this too."""

MEMBER_CIRCUMSTANCES = (
    "education",
    "student_status",
    "health",
    "labour_ability",
    "work_place",
    "work_months",
    "medical_insurance",
    "pension_insurance",
    "minimum_living_allowance",
    "extreme_poverty_support",
)
