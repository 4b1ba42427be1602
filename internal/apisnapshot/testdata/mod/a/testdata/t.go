package t

func InTestdata() {}
