// SPDX-License-Identifier: UNLICENSED
//
// DataProtector.sol — decc's DataProtector contract for EVM chains running
// iExec's PoCo contracts. Written for decc from the interface the official
// @iexec/dataprotector SDK (2.0.0-beta.27) and decc's client
// (lib/dataprotector/dp_protect.c) call; it must behave exactly as the
// embedded ledger's native version (lib/ledger/c_registry.c,
// ldg_dataprotector_methods):
//
//   createDatasetWithSchema(owner, name, schema, multiaddr, checksum)
//     = DatasetRegistry.createDataset(owner, name, multiaddr, checksum),
//       then emit DatasetSchema(dataset, schema), returns the dataset.
//   DATASET_REGISTRY() = the registry given to the constructor.
//
// The registry names the dataset owner (not this contract) in the CREATE2
// salt and as the ERC-721 holder, so the dataset address equals what
// DatasetRegistry.predictDataset(owner, name, multiaddr, checksum) returns
// and the owner holds the dataset from the first block; this contract keeps
// no state besides the registry address. A revert in the registry (e.g. the
// same dataset created twice) is passed through unchanged.
//
// Compiled by tools/contracts/compile.mjs (solc 0.8.28, pinned) into
// contracts/build/DataProtector.json; docs/api/dataprotector.md lists the ABI.
pragma solidity 0.8.28;

/// The one function of PoCo's DatasetRegistry (6.1.0) this contract calls.
/// PoCo declares the return type as its Dataset contract: an address in the ABI.
interface IDatasetRegistryCreate {
    function createDataset(
        address datasetOwner,
        string calldata datasetName,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external returns (address);
}

contract DataProtector {
    /// The DatasetRegistry every protected data is created in.
    IDatasetRegistryCreate public immutable DATASET_REGISTRY;

    /// One per protected data: the dataset (indexed, so clients filter on
    /// it) and the JSON schema of its content, which the registry does not
    /// store.
    event DatasetSchema(address indexed dataset, string schema);

    /// A registry without code would make every creation fail later with an
    /// empty revert; refuse it at deployment instead.
    constructor(IDatasetRegistryCreate registry) {
        require(address(registry).code.length > 0, "DataProtector: registry has no code");
        DATASET_REGISTRY = registry;
    }

    /// Creates the dataset for `datasetOwner` and publishes its schema.
    /// Returns the dataset's address (also topic 1 of DatasetSchema).
    function createDatasetWithSchema(
        address datasetOwner,
        string calldata datasetName,
        string calldata datasetSchema,
        bytes calldata datasetMultiaddr,
        bytes32 datasetChecksum
    ) external returns (address dataset) {
        dataset = DATASET_REGISTRY.createDataset(datasetOwner, datasetName, datasetMultiaddr, datasetChecksum);
        emit DatasetSchema(dataset, datasetSchema);
    }
}
