// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReferralRewards} from "../ReferralRewards.sol";

/// @title ReferralRewardsV2
/// @notice Second implementation used only by the upgrade test: same storage, version() == 2.
contract ReferralRewardsV2 is ReferralRewards {
    function version() external pure override returns (uint256) {
        return 2;
    }
}
