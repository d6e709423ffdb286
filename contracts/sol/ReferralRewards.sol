// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";
import {AccessControlDefaultAdminRulesUpgradeable} from
    "@openzeppelin/contracts-upgradeable/access/extensions/AccessControlDefaultAdminRulesUpgradeable.sol";
import {PausableUpgradeable} from "@openzeppelin/contracts-upgradeable/utils/PausableUpgradeable.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice The part of a reward token that MINT mode needs.
interface IMintableERC20 {
    function mint(address to, uint256 amount) external;
}

/// @title ReferralRewards
/// @notice Pays referral rewards exactly once per order (`orderRef = keccak256(bytes(orderReference))`).
///         UUPS implementation meant to sit behind an ERC1967Proxy; state lives in ERC-7201 namespaced storage.
///         MINT mode mints through the reward token (the proxy needs the token's minter role);
///         TRANSFER mode pays from the proxy's own token balance (the treasury).
///         Version 2 limits what a leaked key can do: what all payments may total per period is capped on chain
///         (set by the admin; none until set), and the admin role follows OpenZeppelin's
///         AccessControlDefaultAdminRules — one admin, handed over in two steps with a delay.
contract ReferralRewards is
    Initializable,
    AccessControlDefaultAdminRulesUpgradeable,
    PausableUpgradeable,
    UUPSUpgradeable
{
    using SafeERC20 for IERC20;

    enum Mode {
        MINT,
        TRANSFER
    }

    /// @notice Role allowed to pay rewards (the app's minter key).
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Largest batch accepted by payReferralBatch (one transaction is capped at 2^24 gas).
    uint256 public constant MAX_BATCH_SIZE = 300;
    /// @notice How long a new admin waits before accepting the role, as deployed (the admin may change it).
    uint48 public constant INITIAL_ADMIN_DELAY = 2 days;

    /// @custom:storage-location erc7201:refcodes.storage.ReferralRewards
    struct ReferralRewardsStorage {
        mapping(bytes32 orderRef => bool) paidOrders;
        // token and mode share one slot: one SLOAD per payment call.
        IERC20 token;
        Mode mode;
        // Version 2, appended: the period cap (0: none), and the current period's start and total paid in one slot.
        uint256 periodCap;
        uint64 periodLength;
        uint64 periodStart;
        uint128 periodPaid;
    }

    // keccak256(abi.encode(uint256(keccak256("refcodes.storage.ReferralRewards")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE_LOCATION = 0xb44732e0140382b690d13eb73b2433aec9bcff5812bfae0f360c25dc09555400;

    /// @notice A reward was paid for `orderRef`.
    event ReferralPaid(bytes32 indexed orderRef, address indexed to, uint256 amount);
    /// @notice A batch entry was skipped because `orderRef` was already paid.
    event ReferralSkipped(bytes32 indexed orderRef, address indexed to, uint256 amount);
    event RewardTokenSet(address indexed token);
    event ModeSet(Mode mode);
    event PeriodCapSet(uint256 cap, uint64 periodLength);

    error ReferralRewards__AlreadyPaid(bytes32 orderRef);
    error ReferralRewards__ZeroAddress();
    error ReferralRewards__ZeroAmount();
    error ReferralRewards__ZeroOrderRef();
    error ReferralRewards__InsufficientTreasury(uint256 needed, uint256 available);
    error ReferralRewards__EmptyBatch();
    error ReferralRewards__BatchTooLarge(uint256 size, uint256 max);
    error ReferralRewards__LengthMismatch(uint256 recipients, uint256 amounts, uint256 orderRefs);
    error ReferralRewards__NotAContract(address token);
    error ReferralRewards__PeriodCapExceeded(uint256 cap, uint256 wouldPay, uint256 periodEnds);
    error ReferralRewards__BadPeriod();

    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function initialize(address admin, address operator, address token, Mode mode_) external initializer {
        if (admin == address(0) || operator == address(0)) revert ReferralRewards__ZeroAddress();
        __AccessControlDefaultAdminRules_init(INITIAL_ADMIN_DELAY, admin);
        __Pausable_init();
        _grantRole(OPERATOR_ROLE, operator);
        _setRewardToken(token);
        _setMode(mode_);
    }

    /// @notice The upgrade from version 1, run by upgradeToAndCall: its caller, an admin, becomes the one default
    ///         admin of AccessControlDefaultAdminRules, with INITIAL_ADMIN_DELAY, and every other version-1 admin
    ///         listed in `otherAdmins` loses the role (version 2 cannot revoke it afterwards). Roles, paid orders,
    ///         token and mode stay where they are; no cap until the admin sets one.
    function initializeV2(address[] calldata otherAdmins) external reinitializer(2) {
        if (!hasRole(DEFAULT_ADMIN_ROLE, msg.sender)) revert AccessControlUnauthorizedAccount(msg.sender, DEFAULT_ADMIN_ROLE);
        for (uint256 i; i < otherAdmins.length; ++i) {
            if (otherAdmins[i] != msg.sender) _revokeRole(DEFAULT_ADMIN_ROLE, otherAdmins[i]);
        }
        __AccessControlDefaultAdminRules_init_unchained(INITIAL_ADMIN_DELAY, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @notice Whether the reward for `orderRef` has been paid.
    function paidOrders(bytes32 orderRef) external view returns (bool) {
        return _s().paidOrders[orderRef];
    }

    /// @notice paidOrders for many refs in one call (for the minter's reconciliation).
    function arePaid(bytes32[] calldata orderRefs) external view returns (bool[] memory paid) {
        ReferralRewardsStorage storage $ = _s();
        paid = new bool[](orderRefs.length);
        for (uint256 i; i < orderRefs.length; ++i) {
            paid[i] = $.paidOrders[orderRefs[i]];
        }
    }

    function rewardToken() external view returns (address) {
        return address(_s().token);
    }

    function mode() external view returns (Mode) {
        return _s().mode;
    }

    /// @notice The period cap (0: none), the period's length, and the current period's start and total paid.
    function periodCap() external view returns (uint256 cap, uint64 length, uint64 start, uint256 paid) {
        ReferralRewardsStorage storage $ = _s();
        return ($.periodCap, $.periodLength, $.periodStart, $.periodPaid);
    }

    /// @notice Implementation version; an upgrade bumps it.
    function version() external pure virtual returns (uint256) {
        return 2;
    }

    // ------------------------------------------------------------------ admin

    function pause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _pause();
    }

    function unpause() external onlyRole(DEFAULT_ADMIN_ROLE) {
        _unpause();
    }

    function setRewardToken(address token) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setRewardToken(token);
    }

    function setMode(Mode mode_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setMode(mode_);
    }

    /// @notice At most `cap` token units (up to 2^128 - 1) paid per `length` seconds (0: no cap). A new length, or
    ///         a first cap, starts a period now; another cap for the same length keeps what the current period
    ///         paid. A payment that would take the period's total over the cap reverts
    ///         ReferralRewards__PeriodCapExceeded.
    function setPeriodCap(uint256 cap, uint64 length) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if ((cap != 0 && length == 0) || cap > type(uint128).max) revert ReferralRewards__BadPeriod();
        ReferralRewardsStorage storage $ = _s();
        if ($.periodCap == 0 || cap == 0 || length != $.periodLength) {
            $.periodStart = uint64(block.timestamp);
            $.periodPaid = 0;
        }
        $.periodCap = cap;
        $.periodLength = length;
        emit PeriodCapSet(cap, length);
    }

    // ---------------------------------------------------------------- payment

    /// @notice Pays `amount` to `to` for `orderRef`; reverts ReferralRewards__AlreadyPaid on a repeat.
    function payReferral(address to, uint256 amount, bytes32 orderRef)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        _checkEntry(to, amount, orderRef);
        ReferralRewardsStorage storage $ = _s();
        if ($.paidOrders[orderRef]) revert ReferralRewards__AlreadyPaid(orderRef);
        _count($, amount);
        $.paidOrders[orderRef] = true;
        emit ReferralPaid(orderRef, to, amount);

        IERC20 token = $.token;
        if ($.mode == Mode.MINT) {
            _mint(token, to, amount);
        } else {
            uint256 available = token.balanceOf(address(this));
            if (available < amount) revert ReferralRewards__InsufficientTreasury(amount, available);
            token.safeTransfer(to, amount);
        }
    }

    /// @notice Pays every entry whose orderRef is unpaid and skips (ReferralSkipped) the paid ones.
    ///         Invalid entries (zero address/amount/orderRef) fail the whole batch. In TRANSFER mode the total
    ///         of the unpaid entries must be covered by the treasury, else nothing is paid.
    /// @return paidCount number of entries paid
    /// @return paidTotal sum of the amounts paid
    function payReferralBatch(address[] calldata to, uint256[] calldata amounts, bytes32[] calldata orderRefs)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
        returns (uint256 paidCount, uint256 paidTotal)
    {
        uint256 n = to.length;
        if (n != amounts.length || n != orderRefs.length) {
            revert ReferralRewards__LengthMismatch(n, amounts.length, orderRefs.length);
        }
        if (n == 0) revert ReferralRewards__EmptyBatch();
        if (n > MAX_BATCH_SIZE) revert ReferralRewards__BatchTooLarge(n, MAX_BATCH_SIZE);

        ReferralRewardsStorage storage $ = _s();
        IERC20 token = $.token;
        bool minting = $.mode == Mode.MINT;
        // TRANSFER: one balance read; every transfer is checked against the running total.
        uint256 available = minting ? 0 : token.balanceOf(address(this));

        for (uint256 i; i < n; ++i) {
            address recipient = to[i];
            uint256 amount = amounts[i];
            bytes32 orderRef = orderRefs[i];
            _checkEntry(recipient, amount, orderRef);
            if ($.paidOrders[orderRef]) {
                emit ReferralSkipped(orderRef, recipient, amount);
                continue;
            }
            $.paidOrders[orderRef] = true;
            emit ReferralPaid(orderRef, recipient, amount);
            unchecked {
                ++paidCount;
            }
            paidTotal += amount;
            if (minting) {
                _mint(token, recipient, amount);
            } else if (paidTotal <= available) {
                token.safeTransfer(recipient, amount);
            }
            // else: keep summing so the revert below reports the whole amount needed.
        }
        if (!minting && paidTotal > available) revert ReferralRewards__InsufficientTreasury(paidTotal, available);
        if (paidTotal != 0) _count($, paidTotal);
    }

    // --------------------------------------------------------------- internal

    /// @dev Adds `amount` to the current period's total, starting a new period when the last one is over.
    function _count(ReferralRewardsStorage storage $, uint256 amount) private {
        uint256 cap = $.periodCap;
        if (cap == 0) return;
        uint256 length = $.periodLength;
        uint256 start = $.periodStart;
        uint256 paid = $.periodPaid;
        if (block.timestamp >= start + length) {
            start = block.timestamp - (block.timestamp - start) % length;
            paid = 0;
        }
        paid += amount;
        if (paid > cap) revert ReferralRewards__PeriodCapExceeded(cap, paid, start + length);
        $.periodStart = uint64(start);
        $.periodPaid = uint128(paid);
    }

    function _checkEntry(address to, uint256 amount, bytes32 orderRef) private pure {
        if (to == address(0)) revert ReferralRewards__ZeroAddress();
        if (amount == 0) revert ReferralRewards__ZeroAmount();
        if (orderRef == bytes32(0)) revert ReferralRewards__ZeroOrderRef();
    }

    /// @dev `IMintableERC20(token).mint(to, amount)` without the high-level call's extcodesize check and ABI
    ///      encoder (about 250 gas per reward). Safe because setRewardToken only accepts an address with code.
    ///      A revert from the token is bubbled up unchanged.
    function _mint(IERC20 token, address to, uint256 amount) private {
        bytes4 selector = IMintableERC20.mint.selector;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), to)
            mstore(add(ptr, 0x24), amount)
            if iszero(call(gas(), token, 0, ptr, 0x44, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    function _setRewardToken(address token) private {
        if (token == address(0)) revert ReferralRewards__ZeroAddress();
        if (token.code.length == 0) revert ReferralRewards__NotAContract(token);
        _s().token = IERC20(token);
        emit RewardTokenSet(token);
    }

    function _setMode(Mode mode_) private {
        _s().mode = mode_;
        emit ModeSet(mode_);
    }

    function _authorizeUpgrade(address) internal override onlyRole(DEFAULT_ADMIN_ROLE) {}

    function _s() private pure returns (ReferralRewardsStorage storage $) {
        assembly {
            $.slot := STORAGE_LOCATION
        }
    }
}
