"""Department data feeds (行业部门数据推送): batches accepted at once, processed in the
background in checkpointed chunks, turned into warnings and leads."""
