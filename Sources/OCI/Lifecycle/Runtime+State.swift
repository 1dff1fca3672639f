extension Runtime {
    /// `state`: runc's JSON. Reads only; takes no lock.
    public func state(id: String) throws(OCIError) -> String {
        let directory = try claimedDirectory(id)
        let state = try directory.loadState()
        return state.runcStateJSON(status: directory.status(of: state))
    }
}
