// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title TestPriceFeed
/// @notice Chainlink-style aggregator for local chains and tests only: anyone may set the round, so a test can make
///         the price stale, zero, negative or dated in the future. Keeps only the latest round.
contract TestPriceFeed is AggregatorV3Interface {
    uint8 private immutable _decimals;
    uint80 private _roundId;
    int256 private _answer;
    uint256 private _startedAt;
    uint256 private _updatedAt;

    event RoundSet(uint80 indexed roundId, int256 answer, uint256 updatedAt);

    error TestPriceFeed__NoDataPresent(uint80 roundId);

    /// @notice Round 1 with `answer`, updated now.
    constructor(uint8 decimals_, int256 answer) {
        _decimals = decimals_;
        _setRound(answer, block.timestamp);
    }

    /// @notice Starts the next round with `answer` and `updatedAt` (unix seconds; any value, also 0 or future).
    function setRound(int256 answer, uint256 updatedAt) external {
        _setRound(answer, updatedAt);
    }

    function decimals() external view returns (uint8) {
        return _decimals;
    }

    function description() external pure returns (string memory) {
        return "TEST / USD";
    }

    function version() external pure returns (uint256) {
        return 4;
    }

    /// @notice Only the latest round is kept; any other id reverts like a Chainlink feed without that round.
    function getRoundData(uint80 roundId_)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        if (roundId_ != _roundId) revert TestPriceFeed__NoDataPresent(roundId_);
        return (_roundId, _answer, _startedAt, _updatedAt, _roundId);
    }

    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        return (_roundId, _answer, _startedAt, _updatedAt, _roundId);
    }

    function _setRound(int256 answer, uint256 updatedAt) private {
        unchecked {
            ++_roundId;
        }
        _answer = answer;
        _startedAt = updatedAt;
        _updatedAt = updatedAt;
        emit RoundSet(_roundId, answer, updatedAt);
    }
}
