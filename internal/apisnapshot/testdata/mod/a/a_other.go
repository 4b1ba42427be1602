//go:build !linux

package a

func NotLinux() {}
