// Placeholder until the OCI target lands.
