package devserver

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
)

// clusterName is the single cluster of the embedded server.
const clusterName = "active"

// sqlConfig describes the SQLite store. A file uses WAL and synchronous=NORMAL:
// the plugin turns every non-URI attribute into a PRAGMA of the same name, so
// the keys carry no leading underscore (with one they are silently ignored and
// the file stays in rollback-journal mode, about 3x slower per step).
func sqlConfig(dbPath string) *config.SQL {
	cfg := &config.SQL{PluginName: sqliteplugin.PluginName, DatabaseName: dbPath}
	if dbPath == "" {
		// A unique name, because shared-cache memory databases are per name
		// and per process: two ephemeral servers in one test binary must not
		// share state.
		cfg.DatabaseName = fmt.Sprintf("dre-%d", time.Now().UnixNano())
		cfg.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		return cfg
	}
	// One connection: measured faster than four for this single-writer store.
	cfg.ConnectAttributes = map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "1"}
	return cfg
}

// serverConfig builds the static configuration of a one-shard, one-process
// cluster bound to the reserved ports.
func serverConfig(p portSet, sql *config.SQL) *config.Config {
	frontend := hostPort(p.host, p.frontend)
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: p.host},
		},
		Persistence: config.Persistence{
			DefaultStore:     sqliteplugin.PluginName,
			VisibilityStore:  sqliteplugin.PluginName,
			NumHistoryShards: 1,
			DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sql}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{clusterName: {
				Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontend,
				HTTPAddress: hostPort(p.host, p.frontendHTTP), ClusterID: clusterID,
			}},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services:            services(p),
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		// Without a public client the worker service panics at start.
		PublicClient: config.PublicClient{HostPort: frontend},
	}
}

// clusterID is fixed so that a restarted server recognises its own cluster
// metadata in the SQLite file.
const clusterID = "5b0e4c4e-3a53-4d8e-9a0d-6f1f3c2b7d11"

func services(p portSet) map[string]config.Service {
	svc := func(grpc, membership int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: grpc, MembershipPort: membership, BindOnIP: p.host}}
	}
	frontend := svc(p.frontend, p.membership[0])
	frontend.RPC.HTTPPort = p.frontendHTTP
	return map[string]config.Service{
		"frontend": frontend,
		"history":  svc(p.history, p.membership[1]),
		"matching": svc(p.matching, p.membership[2]),
		"worker":   svc(p.wrk, p.membership[3]),
	}
}

// staticHosts pins every service to its address, skipping membership gossip.
func staticHosts(p portSet) map[primitives.ServiceName]static.Hosts {
	return map[primitives.ServiceName]static.Hosts{
		primitives.FrontendService: static.SingleLocalHost(hostPort(p.host, p.frontend)),
		primitives.HistoryService:  static.SingleLocalHost(hostPort(p.host, p.history)),
		primitives.MatchingService: static.SingleLocalHost(hostPort(p.host, p.matching)),
		primitives.WorkerService:   static.SingleLocalHost(hostPort(p.host, p.wrk)),
	}
}

// dynamicConfig tunes the server for one process on one machine. The defaults
// assume a multi-host cluster: the transfer queue reader is limited to 20
// loads/s per shard (≈47 ms per sequential activity step), task queues are
// split in 4 partitions, and timers fire up to 1 s late as a clock-skew margin.
// With one shard and one clock none of that buys anything.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.TransferProcessorMaxPollRPS.Key():                  1000,
		dynamicconfig.TimerProcessorMaxPollRPS.Key():                     1000,
		dynamicconfig.TimerProcessorMaxTimeShift.Key():                   10 * time.Millisecond,
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():           1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key():          1,
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key():      true,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
	}
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
