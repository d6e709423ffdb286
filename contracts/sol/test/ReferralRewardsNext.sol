// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReferralRewards} from "../ReferralRewards.sol";

/// @title ReferralRewardsNext
/// @notice A later implementation used only by the upgrade test: same storage, version() == 3.
contract ReferralRewardsNext is ReferralRewards {
    function version() external pure override returns (uint256) {
        return 3;
    }
}
