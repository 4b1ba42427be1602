package client_test

import (
	"runtime"

	"github.com/katzenthin/katzenthin/transport"
)

func unixDialer(addr string) transport.Dialer { return transport.Unix(addr) }

// runtimeGosched yields while a test polls a counter it cannot wait on.
func runtimeGosched() { runtime.Gosched() }
