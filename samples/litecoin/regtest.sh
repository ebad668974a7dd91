#!/bin/sh
# A litecoin regtest session: litecoind and litecoin-cli in one machine over its loopback network. Create a wallet,
# mine 101 blocks (the first reward matures), send 10 LTC to a second wallet, mine one more block, print balances
# and the chain height, stop the node. Run natively, or in x86vm (bench/litecoin.sh). Prints nothing host-specific
# (no times, no paths) except what the node derives from its randomness and clock.
set -e
DATA=${1:?usage: regtest.sh DATADIR}
rm -rf "$DATA"
mkdir -p "$DATA"
cat > "$DATA/litecoin.conf" <<CONF
regtest=1
server=1
listen=0
dnsseed=0
upnp=0
natpmp=0
rpcuser=u
rpcpassword=p
fallbackfee=0.0001
[regtest]
rpcport=19443
rpcbind=127.0.0.1
rpcallowip=127.0.0.1
CONF
cli() { /usr/bin/litecoin-cli -datadir="$DATA" -rpcwait "$@"; }
/usr/lib/litecoin/litecoind -datadir="$DATA" -daemon -printtoconsole=0 >/dev/null
cli createwallet miner >/dev/null
cli createwallet payee >/dev/null
miner=$(cli -rpcwallet=miner getnewaddress)
payee=$(cli -rpcwallet=payee getnewaddress)
echo "miner address $miner"
echo "payee address $payee"
cli generatetoaddress 101 "$miner" >/dev/null
echo "height $(cli getblockcount)"
echo "miner balance $(cli -rpcwallet=miner getbalance)"
tx=$(cli -rpcwallet=miner sendtoaddress "$payee" 10)
echo "sent $tx"
cli generatetoaddress 1 "$miner" >/dev/null
echo "height $(cli getblockcount)"
echo "payee balance $(cli -rpcwallet=payee getbalance)"
echo "miner balance $(cli -rpcwallet=miner getbalance)"
echo "best block $(cli getbestblockhash)"
pid=$(cat "$DATA/regtest/bitcoind.pid")
cli stop
while kill -0 "$pid" 2>/dev/null; do sleep 1; done
echo stopped
