"""Policy: which ops fuse into groups, with which output tiles. Decisions are
written into the IR as `dataflow.group` / `#dataflow.plan` attributes that
the C++ passes carry out; nothing is read back from the lowering."""
