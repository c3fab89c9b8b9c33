"""People who sign in (用户): officers, reviewers, approvers, viewers, administrators."""
