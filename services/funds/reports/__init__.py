"""The spending progress report (支出进度报表), reported twice a month: per county, as of a date."""
