package channel_test

func runCrashChild() bool { return false }
