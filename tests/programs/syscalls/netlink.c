/* AF_NETLINK NETLINK_ROUTE sockets (netlink(7), rtnetlink(7)) and the interface ioctls (netdevice(7)). The host has
 * more interfaces than the VM, so only facts about the loopback interface "lo" are printed. Native-first. */
#include "check.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static char buf[1 << 16];

static void show_link(struct nlmsghdr *h)
{
    struct ifinfomsg *ifi = NLMSG_DATA(h);
    if (ifi->ifi_index != 1) return;
    printf("  NEWLINK flags=%#x family=%d type=%d index=%d ifflags=%#x\n", h->nlmsg_flags, ifi->ifi_family, ifi->ifi_type,
        ifi->ifi_index, ifi->ifi_flags);
    int len = IFLA_PAYLOAD(h);
    for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        unsigned char *d = RTA_DATA(a);
        switch (a->rta_type) {
        case IFLA_IFNAME: printf("    IFNAME %s\n", (char *)d); break;
        case IFLA_MTU: printf("    MTU %u\n", *(unsigned *)d); break;
        case IFLA_TXQLEN: printf("    TXQLEN %u\n", *(unsigned *)d); break;
        case IFLA_OPERSTATE: printf("    OPERSTATE %u\n", *d); break;
        case IFLA_LINKMODE: printf("    LINKMODE %u\n", *d); break;
        case IFLA_ADDRESS: case IFLA_BROADCAST:
            printf("    %s len=%d", a->rta_type == IFLA_ADDRESS ? "ADDRESS" : "BROADCAST", (int)RTA_PAYLOAD(a));
            for (unsigned i = 0; i < RTA_PAYLOAD(a); i++) printf("%c%02x", i ? ':' : ' ', d[i]);
            printf("\n");
            break;
        }
    }
}

static void show_addr(struct nlmsghdr *h)
{
    struct ifaddrmsg *ifa = NLMSG_DATA(h);
    if (ifa->ifa_index != 1) return;
    printf("  NEWADDR flags=%#x family=%d prefixlen=%d ifaflags=%#x scope=%d index=%d\n", h->nlmsg_flags, ifa->ifa_family,
        ifa->ifa_prefixlen, ifa->ifa_flags, ifa->ifa_scope, ifa->ifa_index);
    int len = IFA_PAYLOAD(h);
    for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        char text[64];
        switch (a->rta_type) {
        case IFA_ADDRESS: case IFA_LOCAL:
            inet_ntop(ifa->ifa_family, RTA_DATA(a), text, sizeof text);
            printf("    %s %s\n", a->rta_type == IFA_ADDRESS ? "ADDRESS" : "LOCAL", text);
            break;
        case IFA_LABEL: printf("    LABEL %s\n", (char *)RTA_DATA(a)); break;
        case IFA_FLAGS: printf("    FLAGS %#x\n", *(unsigned *)RTA_DATA(a)); break;
        }
    }
}

/* Sends a request and prints the lo answers until NLMSG_DONE or NLMSG_ERROR. */
static void request(int fd, int type, int flags, int family, unsigned seq, int use_msg)
{
    struct { struct nlmsghdr h; struct ifinfomsg i; } req;
    memset(&req, 0, sizeof req);
    req.h.nlmsg_len = type == RTM_GETADDR ? NLMSG_LENGTH(sizeof(struct ifaddrmsg)) : NLMSG_LENGTH(sizeof(struct ifinfomsg));
    req.h.nlmsg_type = type;
    req.h.nlmsg_flags = flags;
    req.h.nlmsg_seq = seq;
    req.i.ifi_family = family;
    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    printf("request type=%d flags=%#x family=%d\n", type, flags, family);
    if (use_msg) {
        struct iovec iov = { &req, req.h.nlmsg_len };
        struct msghdr m = { .msg_name = &kernel, .msg_namelen = sizeof kernel, .msg_iov = &iov, .msg_iovlen = 1 };
        T(sendmsg(fd, &m, 0));
    } else T(sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel));
    for (int rounds = 0; rounds < 100; rounds++) {
        struct sockaddr_nl from;
        memset(&from, 0xff, sizeof from);
        long n;
        if (use_msg) {
            struct iovec iov = { buf, sizeof buf };
            struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1 };
            n = recvmsg(fd, &m, MSG_DONTWAIT);
            if (n >= 0 && (m.msg_namelen != sizeof from || m.msg_flags != 0)) printf("  namelen=%u msg_flags=%#x\n", m.msg_namelen, m.msg_flags);
        } else {
            socklen_t fl = sizeof from;
            n = recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
            if (n >= 0 && fl != sizeof from) printf("  fromlen=%u\n", fl);
        }
        if (n < 0) { printf("  recv: %s\n", errname(errno)); return; }
        if (from.nl_family != AF_NETLINK || from.nl_pid != 0 || from.nl_groups != 0) printf("  from family=%d pid=%u groups=%u\n", from.nl_family, from.nl_pid, from.nl_groups);
        int len = n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            if (h->nlmsg_seq != seq) printf("  seq %u\n", h->nlmsg_seq);
            if (h->nlmsg_type == NLMSG_DONE) { printf("  DONE len=%u flags=%#x value=%d\n", h->nlmsg_len, h->nlmsg_flags, *(int *)NLMSG_DATA(h)); return; }
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                printf("  ERROR len=%u flags=%#x error=%s orig type=%d len=%u\n", h->nlmsg_len, h->nlmsg_flags,
                    e->error ? errname(-e->error) : "0", e->msg.nlmsg_type, e->msg.nlmsg_len);
                return;
            }
            if (h->nlmsg_type == RTM_NEWLINK) show_link(h);
            else if (h->nlmsg_type == RTM_NEWADDR) show_addr(h);
            else printf("  type %d\n", h->nlmsg_type);
        }
    }
}

static void ioctls(int fd, const char *what)
{
    struct ifreq r;
    printf("ioctls on %s\n", what);
    memset(&r, 0, sizeof r); strcpy(r.ifr_name, "lo");
    T(ioctl(fd, SIOCGIFFLAGS, &r)); printf("  flags %#x\n", (unsigned short)r.ifr_flags);
    memset(&r, 0, sizeof r); strcpy(r.ifr_name, "lo");
    T(ioctl(fd, SIOCGIFINDEX, &r)); printf("  index %d\n", r.ifr_ifindex);
    memset(&r, 0, sizeof r); strcpy(r.ifr_name, "lo");
    T(ioctl(fd, SIOCGIFMTU, &r)); printf("  mtu %d\n", r.ifr_mtu);
    memset(&r, 0, sizeof r); strcpy(r.ifr_name, "lo");
    T(ioctl(fd, SIOCGIFADDR, &r)); printf("  addr family=%d %s\n", r.ifr_addr.sa_family, inet_ntoa(((struct sockaddr_in *)&r.ifr_addr)->sin_addr));
    memset(&r, 0, sizeof r); strcpy(r.ifr_name, "lo");
    T(ioctl(fd, SIOCGIFNETMASK, &r)); printf("  netmask family=%d %s\n", r.ifr_netmask.sa_family, inet_ntoa(((struct sockaddr_in *)&r.ifr_netmask)->sin_addr));
    memset(&r, 0, sizeof r); strcpy(r.ifr_name, "lo");
    T(ioctl(fd, SIOCGIFHWADDR, &r));
    printf("  hwaddr family=%d", r.ifr_hwaddr.sa_family);
    for (int i = 0; i < 8; i++) printf(" %02x", (unsigned char)r.ifr_hwaddr.sa_data[i]);
    printf("\n");
    memset(&r, 0, sizeof r); r.ifr_ifindex = 1;
    T(ioctl(fd, SIOCGIFNAME, &r)); printf("  name %s\n", r.ifr_name);
    memset(&r, 0, sizeof r); r.ifr_ifindex = 99999;
    T(ioctl(fd, SIOCGIFNAME, &r));
    const unsigned long unknown[] = { SIOCGIFFLAGS, SIOCGIFINDEX, SIOCGIFMTU, SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFHWADDR };
    for (unsigned i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        memset(&r, 0, sizeof r); strcpy(r.ifr_name, "nosuch0");
        errno = 0;
        long x = ioctl(fd, unknown[i], &r);
        printf("  ioctl(%#lx, nosuch0) -> %ld %s\n", unknown[i], x, x < 0 ? errname(errno) : "");
    }
    /* SIOCGIFCONF: the needed length with a null buffer, then the entries (only lo is printed). */
    struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
    T(ioctl(fd, SIOCGIFCONF, &c));
    CHECK(c.ifc_len > 0 && c.ifc_len % sizeof(struct ifreq) == 0);
    struct ifreq reqs[32];
    c.ifc_len = sizeof reqs; c.ifc_req = reqs;
    T(ioctl(fd, SIOCGIFCONF, &c));
    for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++)
        if (!strcmp(reqs[i].ifr_name, "lo"))
            printf("  conf %s family=%d %s\n", reqs[i].ifr_name, reqs[i].ifr_addr.sa_family, inet_ntoa(((struct sockaddr_in *)&reqs[i].ifr_addr)->sin_addr));
    c.ifc_len = 10; c.ifc_req = reqs;
    T(ioctl(fd, SIOCGIFCONF, &c)); printf("  short buffer len %d\n", c.ifc_len);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    T(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
    T(socket(AF_NETLINK, SOCK_RAW, 31));
    T(socket(AF_NETLINK, SOCK_RAW, 32));
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    CHECK(fd >= 0);
    struct sockaddr_nl a;
    socklen_t len = sizeof a;
    memset(&a, 0xff, sizeof a);
    T(getsockname(fd, (struct sockaddr *)&a, &len));
    printf("unbound: len=%u family=%d pid=%u groups=%u\n", len, a.nl_family, a.nl_pid, a.nl_groups);
    struct sockaddr_nl me = { .nl_family = AF_NETLINK };
    T(bind(fd, (struct sockaddr *)&me, sizeof me - 1));
    T(bind(fd, (struct sockaddr *)&me, sizeof me));
    len = sizeof a;
    T(getsockname(fd, (struct sockaddr *)&a, &len));
    printf("bound: len=%u family=%d pid==getpid %d groups=%u\n", len, a.nl_family, a.nl_pid == (unsigned)getpid(), a.nl_groups);
    T(bind(fd, (struct sockaddr *)&me, sizeof me));

    int fd2 = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
    CHECK(fd2 >= 0);
    me.nl_pid = getpid();
    T(bind(fd2, (struct sockaddr *)&me, sizeof me));
    me.nl_pid = 0;
    T(bind(fd2, (struct sockaddr *)&me, sizeof me));
    len = sizeof a;
    T(getsockname(fd2, (struct sockaddr *)&a, &len));
    printf("second: pid==getpid %d pid==0 %d\n", a.nl_pid == (unsigned)getpid(), a.nl_pid == 0);

    request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 1, 0);
    request(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 2, 1);
    request(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET, 3, 0);
    request(fd2, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, AF_INET6, 4, 1);
    request(fd, 0x1000, NLM_F_REQUEST, AF_UNSPEC, 5, 0);
    request(fd, RTM_GETLINK, NLM_F_REQUEST, AF_UNSPEC, 6, 0);

    /* An unbound socket binds itself on its first send. */
    int fd3 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    request(fd3, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, AF_UNSPEC, 7, 0);
    len = sizeof a;
    T(getsockname(fd3, (struct sockaddr *)&a, &len));
    printf("autobound: pid==0 %d\n", a.nl_pid == 0);

    /* MSG_PEEK|MSG_TRUNC tells the size of the next message; a short read truncates and drops it. */
    struct { struct nlmsghdr h; struct rtgenmsg g; } q = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 8, 0 }, { AF_PACKET } };
    T(send(fd, &q, q.h.nlmsg_len, 0));
    long peek = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
    long got = recv(fd, buf, sizeof buf, MSG_PEEK);
    printf("peek|trunc == peek %d\n", peek == got && peek > 0);
    char small[8];
    T(recv(fd, small, sizeof small, 0));
    struct iovec iov = { small, sizeof small };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    T(recvmsg(fd, &m, MSG_DONTWAIT));
    printf("msg_flags %#x\n", m.msg_flags);
    T(recv(fd, buf, sizeof buf, MSG_DONTWAIT));

    /* glibc's users of netlink. */
    struct ifaddrs *ifs;
    T(getifaddrs(&ifs));
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (strcmp(i->ifa_name, "lo")) continue;
        char text[64] = "-";
        int family = i->ifa_addr ? i->ifa_addr->sa_family : -1;
        if (family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, text, sizeof text);
        if (family == AF_INET6) inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, text, sizeof text);
        printf("getifaddrs %s family=%d flags=%#x %s\n", i->ifa_name, family, i->ifa_flags, text);
    }
    freeifaddrs(ifs);
    printf("if_nametoindex(lo)=%u if_nametoindex(nosuch0)=%u\n", if_nametoindex("lo"), if_nametoindex("nosuch0"));
    char name[IF_NAMESIZE] = "";
    printf("if_indextoname(1)=%s\n", if_indextoname(1, name));
    struct if_nameindex *ni = if_nameindex();
    for (struct if_nameindex *i = ni; i && i->if_index; i++)
        if (i->if_index == 1) printf("if_nameindex %u %s\n", i->if_index, i->if_name);
    if_freenameindex(ni);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG | AI_NUMERICHOST };
    struct addrinfo *ai;
    T(getaddrinfo("127.0.0.1", "80", &hints, &ai));
    freeaddrinfo(ai);

    int udp = socket(AF_INET, SOCK_DGRAM, 0);
    ioctls(udp, "udp");
    ioctls(fd, "netlink");
    int unixfd = socket(AF_UNIX, SOCK_STREAM, 0);
    ioctls(unixfd, "unix");
    int v6 = socket(AF_INET6, SOCK_DGRAM, 0);
    ioctls(v6, "udp6");
    return finish();
}
