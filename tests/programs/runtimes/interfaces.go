// Go's view of the network interfaces (net.Interfaces, Interface.Addrs, InterfaceByName, InterfaceAddrs), which
// reads them over a NETLINK_ROUTE socket (syscall.NetlinkRIB). The host has more interfaces than the VM, so only the
// loopback interface "lo" is printed. Built static (CGO_ENABLED=0 go build).
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	ifs, err := net.Interfaces()
	if err != nil {
		fmt.Println("net.Interfaces:", err)
		os.Exit(1)
	}
	for _, i := range ifs {
		if i.Name != "lo" {
			continue
		}
		fmt.Println("interface", i.Index, i.Name, i.MTU, i.Flags, len(i.HardwareAddr))
		addrs, err := i.Addrs()
		fmt.Println("addrs", addrs, err)
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		fmt.Println("InterfaceByName:", err)
		os.Exit(1)
	}
	fmt.Println("by name", lo.Index, lo.Name)
	_, err = net.InterfaceByName("nosuch0")
	fmt.Println("unknown:", err != nil)
	all, err := net.InterfaceAddrs()
	for _, a := range all {
		if s := a.String(); s == "127.0.0.1/8" || s == "::1/128" {
			fmt.Println("interface addr", s)
		}
	}
	fmt.Println("InterfaceAddrs error:", err)
}
