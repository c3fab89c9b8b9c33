"""Assets formed by completed projects (扶贫项目资产): register, keep up, dispose of."""
