import Accounts
import CallRecords
import Emergency
import Inventory
import NetworkData
import Platform
import Porting
import RoutingFeed
import Store
import Webhooks

/// Tandem's schema, as the one ordered list of migrations that builds it.
///
/// Each table's statements live beside the module that owns it (`AccountsTables`, `EmergencyTables`, `NetworkDataTables`,
/// `InventoryTables`, `RoutingFeedTables`, `PortingTables`, `WebhooksTables`, `PlatformTables`); this list only puts the owners'
/// parts in order, so that a database made by any release upgrades in place. Append new migrations; never edit
/// one that has shipped.
///
/// Times are Unix seconds in `BIGINT` columns (routing records: milliseconds); money is integer micros.
/// Telephone numbers are stored as their ten NANP digits (`2025550143`) so prefix searches use the primary-key
/// order, and reversed (`3410555202`) so that "ends with" searches are prefix searches too.
public enum TandemSchema {
    /// Every migration, oldest first.
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "provisioning core", parts: [
            AccountsTables.accountsAndKeys, NetworkDataTables.exchanges, InventoryTables.provisioningCore,
            NetworkDataTables.importRuns,
        ]),
        Migration(version: 2, name: "routing epoch", parts: [PlatformTables.routingEpoch]),
        Migration(
            version: 3, name: "carriers, rate decks and ported numbers",
            parts: [NetworkDataTables.carriersRateDecksAndPortedNumbers]
        ),
        Migration(version: 4, name: "routing records", parts: [RoutingFeedTables.routingRecords]),
        Migration(version: 5, name: "number failover targets", parts: [InventoryTables.numberFailover]),
        Migration(version: 6, name: "blocked destinations", parts: [NetworkDataTables.blockedDestinations]),
        Migration(
            version: 7, name: "E911 addresses, MSAG and bindings",
            parts: [EmergencyTables.addressesAndMSAG, InventoryTables.numberEmergencyBindings, EmergencyTables.addressEvents]
        ),
        Migration(
            version: 8, name: "port-in orders and network LRNs",
            parts: [NetworkDataTables.networkLRNs, PortingTables.portOrders]
        ),
        Migration(version: 9, name: "blocks set by the operator", parts: [NetworkDataTables.operatorBlocks]),
        Migration(version: 10, name: "caller names", parts: [InventoryTables.callerNames]),
        Migration(version: 11, name: "webhook endpoints and their outbox", parts: [WebhooksTables.endpointsAndOutbox]),
        Migration(version: 12, name: "port-out requests and port-out protection", parts: [PortingTables.portOuts]),
        Migration(
            version: 13, name: "E911 addresses on port-in orders", parts: [PortingTables.portOrderEmergencyAddresses]
        ),
        Migration(version: 14, name: "caller names on port-in orders", parts: [PortingTables.portOrderCallerNames]),
        Migration(
            version: 15, name: "cutover forwarding and port changes to the LRN table",
            parts: [PortingTables.cutoverForwardHours, InventoryTables.cutoverForwards, NetworkDataTables.lnpChanges]
        ),
        Migration(version: 16, name: "webhook secret rotation", parts: [WebhooksTables.secretRotation]),
        Migration(version: 17, name: "trunk ceilings", parts: [AccountsTables.trunkCeilings]),
        Migration(version: 18, name: "private trunk hosts", parts: [AccountsTables.privateTrunkHosts]),
        Migration(version: 19, name: "porting partners", parts: [AccountsTables.partnerOCN, PortingTables.portOutFiler]),
        Migration(version: 20, name: "server keys", parts: [PlatformTables.serverKeys]),
        Migration(version: 21, name: "call detail records", parts: [CallRecordsTables.cdrs]),
    ]
}
