"""Subsidies: the transport subsidy for out-of-province work (外出务工交通补贴) and the
vocational-study subsidy (雨露计划); each at most once per person and year."""
