"""The payer–beneficiary graph: facilitator structure, risk propagated from known labels, den
clusters and ego-network export. Submodules are imported where used to keep import order simple."""
