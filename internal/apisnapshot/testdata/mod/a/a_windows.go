package a

func WindowsOnly() {}
