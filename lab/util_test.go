package lab

import (
	"net"
	"time"
)

var netDialer = net.Dialer{Timeout: 5 * time.Second}

func port(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}
