"""What each province demands of its counties' funds in a year (资金考核规则), as data, and the
cards (黄牌、红牌) that follow from it."""
