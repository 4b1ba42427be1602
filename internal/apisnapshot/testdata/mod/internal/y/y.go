package y

func Internal() {}
