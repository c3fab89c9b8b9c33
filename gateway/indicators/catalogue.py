"""Every indicator: key, Chinese and English name, unit, formula, source services, and which
direction is better (for ranking). Values are computed from exact counts and amounts; ratios
are percentages with two decimals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# One area's figures by service: {"monitoring": {metric: value}, "funds": {...}, ...}; a value
# of None is a figure not known for the day (current-only), which empties what depends on it.
Values = dict[str, dict[str, Decimal | None]]
Compute = Callable[[Values], Decimal | None]
ZERO = Decimal(0)


@dataclass(frozen=True)
class Indicator:
    key: str
    section: str
    name_zh: str
    name_en: str
    unit: str
    formula: str
    sources: tuple[str, ...]
    higher_is_better: bool
    compute: Compute


def figure(service: str, metric: str) -> Compute:
    return lambda values: values[service].get(metric, ZERO) if service in values else None


def percent(numerator: Compute, denominator: Compute) -> Compute:
    def ratio(values: Values) -> Decimal | None:
        top, bottom = numerator(values), denominator(values)
        if top is None or bottom is None or bottom == 0:
            return None
        return (top * 100 / bottom).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return ratio


def per(numerator: Compute, denominator: Compute) -> Compute:
    def ratio(values: Values) -> Decimal | None:
        top, bottom = numerator(values), denominator(values)
        if top is None or bottom is None or bottom == 0:
            return None
        return (top / bottom).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    return ratio


def total(*parts: Compute) -> Compute:
    def added(values: Values) -> Decimal | None:
        result = ZERO
        for part in parts:
            value = part(values)
            if value is None:
                return None
            result += value
        return result

    return added


M, F, E = "monitoring", "funds", "employment"
monitored_people = figure(M, "monitored_people")
eliminated_people = figure(M, "eliminated_people")
eligible_households = total(
    figure(M, "exited_poverty_households"), figure(M, "monitored_not_exited_households")
)


def _indicator(
    key: str,
    section: str,
    zh: str,
    en: str,
    unit: str,
    formula: str,
    compute: Compute,
    *,
    lower_better: bool = False,
) -> Indicator:
    sources = tuple(sorted({s for s in (M, F, E) if s in formula}))
    return Indicator(key, section, zh, en, unit, formula, sources, not lower_better, compute)


CATALOGUE: tuple[Indicator, ...] = (
    _indicator(
        "monitored_households",
        "monitoring",
        "监测户数",
        "Monitored households",
        "户",
        "monitoring.monitored_households",
        figure(M, "monitored_households"),
    ),
    _indicator(
        "monitored_people",
        "monitoring",
        "监测人数",
        "Monitored people",
        "人",
        "monitoring.monitored_people",
        monitored_people,
    ),
    _indicator(
        "unstable_exited_households",
        "monitoring",
        "脱贫不稳定户",
        "Unstable exited-poverty households",
        "户",
        "monitoring.monitored_households:unstable_exited",
        figure(M, "monitored_households:unstable_exited"),
    ),
    _indicator(
        "marginal_households",
        "monitoring",
        "边缘易致贫户",
        "Marginal households prone to poverty",
        "户",
        "monitoring.monitored_households:marginal",
        figure(M, "monitored_households:marginal"),
    ),
    _indicator(
        "sudden_hardship_households",
        "monitoring",
        "突发严重困难户",
        "Households with sudden severe hardship",
        "户",
        "monitoring.monitored_households:sudden_hardship",
        figure(M, "monitored_households:sudden_hardship"),
    ),
    _indicator(
        "newly_identified_households",
        "monitoring",
        "当年新识别户数",
        "Newly identified households this year",
        "户",
        "monitoring.newly_identified_households (year)",
        figure(M, "newly_identified_households"),
    ),
    _indicator(
        "eliminated_people",
        "monitoring",
        "风险消除人数",
        "People whose risk is eliminated",
        "人",
        "monitoring.eliminated_people",
        eliminated_people,
    ),
    _indicator(
        "risk_elimination_rate",
        "monitoring",
        "风险消除率",
        "Risk-elimination rate",
        "%",
        "monitoring.eliminated_people"
        " / (monitoring.monitored_people + monitoring.eliminated_people)",
        percent(eliminated_people, total(monitored_people, eliminated_people)),
    ),
    _indicator(
        "policies_per_household",
        "monitoring",
        "户均享受政策",
        "Policies enjoyed per monitored household",
        "项/户",
        "monitoring.measures / monitoring.monitored_households",
        per(figure(M, "measures"), figure(M, "monitored_households")),
    ),
    _indicator(
        "overdue_cases",
        "monitoring",
        "逾期未办结案件",
        "Overdue cases",
        "件",
        "monitoring.overdue_cases",
        figure(M, "overdue_cases"),
        lower_better=True,
    ),
    _indicator(
        "open_warnings",
        "feeds",
        "未处置预警",
        "Open department warnings",
        "条",
        "monitoring.department_warnings_open",
        figure(M, "department_warnings_open"),
        lower_better=True,
    ),
    _indicator(
        "leads",
        "feeds",
        "未登记线索",
        "Leads on unregistered people",
        "条",
        "monitoring.department_leads_open",
        figure(M, "department_leads_open"),
        lower_better=True,
    ),
    _indicator(
        "warnings_converted",
        "feeds",
        "预警转立案",
        "Warnings converted to cases",
        "条",
        "monitoring.department_warnings_converted + monitoring.department_leads_converted",
        total(figure(M, "department_warnings_converted"), figure(M, "department_leads_converted")),
    ),
    _indicator(
        "funds_allocated",
        "funds",
        "下达资金",
        "Funds allocated",
        "元",
        "funds.allocated",
        figure(F, "allocated"),
    ),
    _indicator(
        "funds_linked",
        "funds",
        "对接资金",
        "Funds linked to projects",
        "元",
        "funds.linked",
        figure(F, "linked"),
    ),
    _indicator(
        "funds_paid", "funds", "支付资金", "Funds paid", "元", "funds.paid", figure(F, "paid")
    ),
    _indicator(
        "spending_progress",
        "funds",
        "支出进度",
        "Spending progress",
        "%",
        "funds.paid / funds.allocated",
        percent(figure(F, "paid"), figure(F, "allocated")),
    ),
    _indicator(
        "industry_share",
        "funds",
        "产业项目资金占比",
        "Industry share of linked funds",
        "%",
        "funds.linked:industry / funds.linked",
        percent(figure(F, "linked:industry"), figure(F, "linked")),
    ),
    _indicator(
        "labourers",
        "employment",
        "脱贫劳动力",
        "Labourers",
        "人",
        "employment.labourers",
        figure(E, "labourers"),
    ),
    _indicator(
        "employed",
        "employment",
        "务工就业人数",
        "Employed labourers",
        "人",
        "employment.employed",
        figure(E, "employed"),
    ),
    _indicator(
        "employment_completion_rate",
        "employment",
        "务工就业目标完成率",
        "Employment target completion",
        "%",
        "employment.employed / employment.employment_target",
        percent(figure(E, "employed"), figure(E, "employment_target")),
    ),
    _indicator(
        "employed_out_of_province",
        "employment",
        "省外务工人数",
        "Employed out of province",
        "人",
        "employment.employed:out_of_province",
        figure(E, "employed:out_of_province"),
    ),
    _indicator(
        "subsidy_amount",
        "employment",
        "补贴发放金额",
        "Subsidies paid",
        "元",
        "employment.subsidy_amount",
        figure(E, "subsidy_amount"),
    ),
    _indicator(
        "public_welfare_post_holders",
        "employment",
        "公益性岗位在岗人数",
        "Public-welfare post holders",
        "人",
        "employment.public_welfare_post_holders",
        figure(E, "public_welfare_post_holders"),
    ),
    _indicator(
        "qualifying_workshops",
        "employment",
        "达标帮扶车间",
        "Qualifying assistance workshops",
        "个",
        "employment.assistance_workshops_qualifying",
        figure(E, "assistance_workshops_qualifying"),
    ),
    _indicator(
        "eligible_households",
        "credit",
        "小额信贷对象户数",
        "Households eligible for microcredit",
        "户",
        "monitoring.exited_poverty_households + monitoring.monitored_not_exited_households",
        eligible_households,
    ),
    _indicator(
        "households_new_loan",
        "credit",
        "当年新增贷款户数",
        "Households with a new loan this year",
        "户",
        "employment.households_new_loan",
        figure(E, "households_new_loan"),
    ),
    _indicator(
        "new_loan_rate",
        "credit",
        "获贷率",
        "New-loan rate",
        "%",
        "employment.households_new_loan / (monitoring.exited_poverty_households + "
        "monitoring.monitored_not_exited_households)",
        percent(figure(E, "households_new_loan"), eligible_households),
    ),
    _indicator(
        "balance_rate",
        "credit",
        "余额户贷率",
        "Balance rate",
        "%",
        "employment.households_loan_outstanding / (monitoring.exited_poverty_households + "
        "monitoring.monitored_not_exited_households)",
        percent(figure(E, "households_loan_outstanding"), eligible_households),
    ),
    _indicator(
        "amount_lent",
        "credit",
        "当年放贷金额",
        "Amount lent this year",
        "元",
        "employment.amount_lent",
        figure(E, "amount_lent"),
    ),
    _indicator(
        "average_loan",
        "credit",
        "户均贷款",
        "Average loan per household",
        "元",
        "employment.amount_lent / employment.households_new_loan",
        per(figure(E, "amount_lent"), figure(E, "households_new_loan")),
    ),
    _indicator(
        "loan_balance",
        "credit",
        "贷款余额",
        "Loan balance",
        "元",
        "employment.loan_balance",
        figure(E, "loan_balance"),
    ),
    _indicator(
        "overdue_amount",
        "credit",
        "逾期金额",
        "Overdue amount",
        "元",
        "employment.overdue_amount",
        figure(E, "overdue_amount"),
        lower_better=True,
    ),
)
BY_KEY = {indicator.key: indicator for indicator in CATALOGUE}
