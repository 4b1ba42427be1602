package client

// SetDefaultDaemonUIDs replaces the uids the default peer check allows
// and returns a function that restores them.
func SetDefaultDaemonUIDs(uids ...int) (restore func()) {
	old := defaultDaemonUIDs
	defaultDaemonUIDs = func() []int { return uids }
	return func() { defaultDaemonUIDs = old }
}
